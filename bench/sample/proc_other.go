//go:build !linux

package sample

import "errors"

// Tree is Linux-only: it returns nil here.
func Tree(pid int) []int { return nil }

// Memory is Linux-only.
func Memory(pids []int) (Mem, error) { return Mem{}, errors.ErrUnsupported }

// ProcCPU is Linux-only: it returns 0 here.
func ProcCPU(pid int) float64 { return 0 }

// TreeCPU is Linux-only: it returns 0 here.
func TreeCPU(pid int) float64 { return 0 }

// SelfCPU is Linux-only: it returns 0 here.
func SelfCPU() float64 { return 0 }

type board struct{}

func openBoard(pid int) (*board, error) { return nil, errors.ErrUnsupported }
func (b *board) count() Workers         { return Workers{} }
func (b *board) close()                 {}
