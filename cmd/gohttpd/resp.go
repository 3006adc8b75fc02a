package main

import (
	"fmt"
	"log/slog"
	"os"

	"github.com/gohttpd/gohttpd/conf"
	"github.com/gohttpd/gohttpd/site"
)

// prepareCompressCache creates the compressed-file cache directories
// (mode 0700, owned by User and Group) while the serving process still
// has the privileges to; the children share them. A directory that
// cannot be made is logged: the site then sends files uncompressed.
func prepareCompressCache(cfg *conf.Config, log *slog.Logger) {
	for _, dir := range site.CompressCacheDirs(cfg) {
		if err := os.MkdirAll(dir, 0o700); err != nil {
			log.Warn(fmt.Sprintf("compressed-file cache: mkdir %s: %v", dir, err))
			continue
		}
		if os.Geteuid() == 0 && cfg.User.ID != 0 {
			if err := os.Chown(dir, int(cfg.User.ID), int(cfg.Group.ID)); err != nil {
				log.Warn(fmt.Sprintf("compressed-file cache: chown %s: %v", dir, err))
			}
		}
	}
}
