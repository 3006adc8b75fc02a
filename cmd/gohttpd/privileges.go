package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"os"

	"github.com/gohttpd/gohttpd/conf"
	"github.com/gohttpd/gohttpd/mpm"
	"github.com/gohttpd/gohttpd/site/errorlog"
)

// dropPrivileges switches a serving process (a child, or the one process
// of -X) started as root to User and Group, before it serves anything and
// after it opened what needs root (its logs; the master opened the
// listeners and the pid file). Not running as root, it does nothing. A
// failure is logged at Apache's alert level, as mod_unixd does.
func dropPrivileges(cfg *conf.Config, log *slog.Logger) error {
	root := os.Geteuid() == 0
	if err := mpm.DropPrivileges(credentials(cfg)); err != nil {
		log.Log(context.Background(), errorlog.LevelAlert, err.Error())
		return err
	}
	if root {
		log.Debug("serving as User and Group", "user", cfg.User.Name, "uid", cfg.User.ID,
			"group", cfg.Group.Name, "gid", cfg.Group.ID)
	}
	return nil
}

// credentials are the configuration's User and Group.
func credentials(cfg *conf.Config) mpm.Credentials {
	return mpm.Credentials{User: cfg.User.Name, UID: cfg.User.ID, Group: cfg.Group.Name, GID: cfg.Group.ID}
}

// printUnixd prints -S's User and Group lines as mod_unixd's
// unixd_dump_config does, with " not_used" when not running as root.
func printUnixd(w io.Writer, cfg *conf.Config) {
	notUsed := ""
	if os.Geteuid() != 0 {
		notUsed = " not_used"
	}
	fmt.Fprintf(w, "User: name=\"%s\" id=%d%s\n", cfg.User.Name, cfg.User.ID, notUsed)
	fmt.Fprintf(w, "Group: name=\"%s\" id=%d%s\n", cfg.Group.Name, cfg.Group.ID, notUsed)
}

// userHint adds whom the process serves as to a permission error met
// after switching users (typically a DocumentRoot User cannot read). The
// errno is not wrapped, so that the error log prints the whole text (the
// path) rather than Apache's "(13)Permission denied" prefix alone.
func userHint(cfg *conf.Config, err error) error {
	if !errors.Is(err, fs.ErrPermission) || os.Getuid() != int(cfg.User.ID) {
		return err
	}
	return fmt.Errorf("%v (serving as User %s, uid %d, and Group %s, gid %d)",
		err, cfg.User.Name, cfg.User.ID, cfg.Group.Name, cfg.Group.ID)
}
