// Package vhost selects the virtual host of a request as Apache httpd's
// server/vhost.c does, and gives the names and ports Apache derives from
// it (%v, %V, SERVER_NAME, SERVER_PORT, self-referential URLs, the status
// page's VHost column), and prints the `apache2 -S` VirtualHost table.
package vhost
