// scale.go — Go's unbuffered channels in the shape of rt_scale.c: P
// goroutines in P/2 sender-receiver pairs, each pair on its own channel,
// each sender passing M integers. Prints one line like rt_scale's.
//
//	go run scale.go P M
package main

import (
	"fmt"
	"os"
	"strconv"
	"sync"
	"time"
)

func main() {
	if len(os.Args) != 3 {
		fmt.Fprintln(os.Stderr, "usage: scale P M")
		os.Exit(2)
	}
	procs, _ := strconv.Atoi(os.Args[1])
	m, _ := strconv.Atoi(os.Args[2])
	pairs := procs / 2
	var wg sync.WaitGroup
	start := time.Now()
	for i := 0; i < pairs; i++ {
		c := make(chan int)
		wg.Add(2)
		go func() {
			defer wg.Done()
			for k := 0; k < m; k++ {
				c <- k
			}
		}()
		go func() {
			defer wg.Done()
			for k := 0; k < m; k++ {
				if <-c != k {
					panic("out of order")
				}
			}
		}()
	}
	wg.Wait()
	t := time.Since(start).Seconds()
	events := float64(pairs * m)
	fmt.Printf("go %d untraced %d %.3f %.0f\n", procs, pairs*m, t, events/t)
}
