package h1serve

import "log"

func (stdLogger) Printf(format string, args ...any) { log.Printf(format, args...) }
