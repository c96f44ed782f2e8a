package locksim

import (
	"context"
	"strings"
)

// expect checks an expect line and prints whether it held.
func (w *World) expect(ctx context.Context, st Step) error {
	subject, want := st.Args[0], strings.Join(st.Args[1:], " ")
	got, err := w.observe(ctx, st.Args)
	if err != nil {
		return err
	}
	w.result.Expectations++
	if got == want {
		w.eventf(nil, subject, "expect %s  ok", want)
		return nil
	}
	w.result.Failed++
	w.eventf(nil, subject, "EXPECTATION FAILED (%s:%d)  want %s, got %s", w.sc.File, st.Line, want, orNothing(got))
	return nil
}

// observe is what an expect line's subject shows now, in the words of the line.
func (w *World) observe(ctx context.Context, args []string) (string, error) {
	if g, ok := w.grants[args[0]]; ok {
		got, err := w.backend.Grant(ctx, g)
		switch {
		case err != nil:
			return "", err
		case args[1] == cardWriteState:
			return prefixed(cardWriteState+" ", deref(got.CardWriteState)), nil
		}
		return got.State, nil
	}
	l := w.locks[args[0]]
	switch args[1] {
	case "sync":
		return prefixed("sync ", w.synced[l.Name]), nil
	case "battery":
		return "battery " + l.Battery.Warning(), nil
	}
	return w.attempt[l.Name], nil
}

// prefixed is prefix+v, or "" when v is.
func prefixed(prefix, v string) string {
	if v == "" {
		return ""
	}
	return prefix + v
}

func orNothing(s string) string {
	if s == "" {
		return "nothing yet"
	}
	return s
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}
