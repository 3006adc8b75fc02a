// Package autoindex generates directory listings as Apache's mod_autoindex.
package autoindex
