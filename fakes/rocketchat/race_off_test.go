//go:build !race

package rocketchat_test

const raceEnabled = false
