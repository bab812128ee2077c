// Package hello is an example module for gomodls.
package hello
