package errordoc_test

import (
	"fmt"

	"github.com/gohttpd/gohttpd/conf"
	"github.com/gohttpd/gohttpd/site/errordoc"
)

func Example() {
	var server, dir conf.ErrorDocBuilder
	_, _ = server.Directive([]string{"404", "/errors/404.html"})
	_, _ = server.Directive([]string{"403", "http://example.com/denied"})
	_, _ = dir.Directive([]string{"404", "Nothing here"})
	docs := conf.MergeErrorDocs(server.Docs(), dir.Docs()) // once per section chain

	for _, status := range []int{404, 403, 500} {
		d := errordoc.Decide(docs, status)
		fmt.Printf("%d: action %d status %d uri %q location %q body %q\n", status, d.Action, d.Status, d.URI, d.Location, d.Body)
	}
	d := errordoc.Decide(server.Docs(), 404)
	fmt.Println(d.Action == errordoc.Internal, d.URI)

	// The document itself is missing: the canned page with "Additionally".
	p := errordoc.Page{Doctype: errordoc.DoctypeHTML20}
	fmt.Print(string(p.Render(&errordoc.PageInfo{Status: 404, Recursive: 404})))
	// Output:
	// 404: action 3 status 404 uri "" location "" body "Nothing here"
	// 403: action 2 status 302 uri "" location "http://example.com/denied" body ""
	// 500: action 0 status 500 uri "" location "" body ""
	// true /errors/404.html
	// <!DOCTYPE HTML PUBLIC "-//IETF//DTD HTML 2.0//EN">
	// <html><head>
	// <title>404 Not Found</title>
	// </head><body>
	// <h1>Not Found</h1>
	// <p>The requested URL was not found on this server.</p>
	// <p>Additionally, a 404 Not Found
	// error was encountered while trying to use an ErrorDocument to handle the request.</p>
	// </body></html>
}
