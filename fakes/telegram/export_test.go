package telegram

// Parked reports whether a getUpdates long poll is parked waiting.
func (s *Server) Parked() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.poller != nil
}
