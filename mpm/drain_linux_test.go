package mpm

import "testing"

// TestDrainFlag: the master's flag is seen through another mapping of the
// same memfd (a child's Attach), survives Reset, and leaves the header's
// other fields alone.
func TestDrainFlag(t *testing.T) {
	s, err := NewScoreboard(2, 2)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	s.SetGeneration(7)
	child, err := Attach(dupFile(t, s.File()))
	if err != nil {
		t.Fatal(err)
	}
	defer child.Close()
	if child.Draining() {
		t.Fatal("a new scoreboard is draining")
	}
	s.SetDraining(true)
	if !child.Draining() {
		t.Fatal("child does not see the master's drain flag")
	}
	s.Reset()
	if !child.Draining() {
		t.Error("Reset cleared the drain flag")
	}
	if g := child.Generation(); g != 7 {
		t.Errorf("generation %d after SetDraining, want 7", g)
	}
	s.SetDraining(false)
	if child.Draining() {
		t.Error("SetDraining(false) not seen")
	}
}
