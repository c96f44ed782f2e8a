// Package locksim simulates locks, phones and cards in the field, deterministically from a seed:
// virtual locks that decide on mobile keys and card images offline with lockproto, keep their
// own clock, battery and log, and sync through a phone or gateway; virtual phones that register,
// fetch keys and present them with a holder proof; cards that keep the image locks write on
// them; and a world whose virtual clock a scenario file advances while a readable timeline is
// printed. The simulator runs against a real Keyward server (Remote) and uses only the public wire
// (the Management API, the mobile API with tokens from token exchange, the device API); the few
// steps only an operator may take (registering a lock or a card in the device registry) go
// through the Registry its caller provides. A server may run on the world's clock
// (VirtualClock), so that a scenario plays at its own date. docs/simulator.md describes the
// scenario format.
package locksim
