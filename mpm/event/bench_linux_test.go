package event

func serveHelper() int { return 0 }
