package h2bridge

// apacheFieldsStatus is what Apache 2.4.71's mod_http2 answers (h2c, curl
// --http2-prior-knowledge) to a request over LimitRequestFields or
// LimitRequestFieldSize; testdata/apache/run.sh reproduces it.
const apacheFieldsStatus = 431
