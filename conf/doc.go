// Package conf reads gohttpd's configuration: Apache-style httpd.conf files
// (a codec registered with viper), YAML, TOML and JSON files, GOHTTPD_*
// environment variables and -C/-c command-line directives, and resolves them
// into one immutable, typed snapshot (Config) with Apache's defaults per
// engine and Apache's clamping. Errors name file, line and directive.
// It imports no other gohttpd package.
//
// # Pipeline
//
// Load runs two passes over the sources. Pass 1 only finds the engine: the
// MPM and "LoadModule mpm_<name>_module" lines of each source, read with the
// -D defines and with <IfModule mpm_*> tested against the engine selected so
// far; the latest source that selects one wins (-c, then GOHTTPD_MPM, then
// the file, then -C; default event), and two different engines in one
// source are Apache's AH00534 error. Pass 2 walks every source in order
// (-C, the file, the environment, -c) with that engine: conditional
// sections, Define/UnDefine and ${NAME}, Include/IncludeOptional, and what
// gohttpd does not implement (unsupported.go): a directive or section whose
// absence would change what clients get (<VirtualHost>, Alias, Header,
// SSL*, Options Indexes, ...) is refused, every refusal of a run reported
// together as *Error values; one that changes nothing a client gets
// (EnableSendfile, ServerTokens Prod, ...) is accepted with a notice.
// Configuration sections (<Directory>, <DirectoryMatch>, <Files>,
// <FilesMatch>, <Location>, <LocationMatch>, the "~" forms, with <Limit>,
// <LimitExcept> and <RequireAll|Any|None> inside) are built into Section
// values holding a DirConfig each (access control, Options, AllowOverride,
// SetHandler; section.go, dirbuild.go, walk_sections.go), ordered as
// ap_core_reorder_directories into SiteConfig.Sections (a SectionTree),
// and merged with core's rules by MergeDir; the site matches them against
// requests. ParseHTAccess reads an .htaccess file with the same walker
// under the AllowOverride rules of its directory.
// LoadModule makes a module's <IfModule> blocks count, so they are read.
// The directives that survive are applied in order: single-valued ones take
// the last value, Listen, CustomLog, TransferLog, DirectoryIndex, AddType,
// LogFormat and AcceptFilter accumulate as in Apache. Then paths are
// resolved against ServerRoot, DocumentRoot is checked (unless -T), and the
// MPM values are clamped in Apache's order with Apache's warnings.
//
// # Formats
//
// A file ending in .yaml, .yml, .toml or .json is read with viper's own
// codecs; its keys are directive names (case-insensitive) and each value is
// one occurrence or a list of them: a scalar (taken verbatim by one-argument
// directives, split into words with Apache's quoting otherwise), a list of
// arguments, or for the structured-only Location key a map with Path and
// SetHandler. Any other file is Apache syntax, read by the "httpd" codec;
// since a viper codec only sees bytes and a map, the codec keeps the file
// and line of every occurrence in a side table.
//
// A GOHTTPD_<DIRECTIVE> variable works like a directive placed after the
// file: GOHTTPD_KEEPALIVETIMEOUT=10. Directives that may repeat take several
// occurrences separated by ';' (outside quotes), and a list directive set
// this way replaces what -C and the file gave:
// GOHTTPD_LISTEN="127.0.0.1:8080;[::1]:8080".
package conf
