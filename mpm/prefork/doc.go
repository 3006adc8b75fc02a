// Package prefork is the prefork engine: a master and single-connection child
// processes, kept between MinSpareServers and MaxSpareServers idle children
// with Apache's spawn-rate algorithm.
package prefork
