// An example module for `gomodls check`: it has a few things gomodls reports.
module example.com/hello

go 1.22

require (
	golang.org/x/text v0.14 // a version go rewrites to v0.14.0
	example.com/hello v1.0.0
)

require golang.org/x/mod v0.20.0 // indirect x

replace golang.org/x/net => ./vendor-net
