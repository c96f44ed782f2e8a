// Package locksim simulates locks and phones in the field, deterministically from a seed: virtual
// locks that decide on mobile keys offline with lockproto.Decide, keep their own clock, battery
// and log, and sync through a phone or gateway; virtual phones that register, fetch keys and
// present them with a holder proof; and a world whose virtual clock a scenario file advances
// while a readable timeline is printed. Against a running server the simulator uses only the
// public wire (the Management API, the mobile API with tokens from token exchange, the device
// API); the few steps only an operator may take (registering a lock in the device registry) go
// through the Registry its caller provides. Without a server it runs against an in-process
// authority (Offline) that plays the server's part of the lock protocol. docs/simulator.md
// describes the scenario format.
package locksim
