// Package conf reads gohttpd's configuration: Apache-style httpd.conf files
// (a codec registered with viper), YAML, TOML and JSON files, GOHTTPD_*
// environment variables and -C/-c command-line directives, and resolves them
// into one immutable, typed snapshot (Config) with Apache's defaults per
// engine and Apache's clamping. Errors name file, line and directive.
// It imports no other gohttpd package.
package conf
