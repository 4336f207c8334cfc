// Command hello is make bench's floor of process start: a Go hello world, built like the function.
package main

import "fmt"

func main() { fmt.Println("hello, world") }
