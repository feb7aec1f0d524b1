package node

import (
	"log/slog"
	"strings"

	cmtlog "github.com/cometbft/cometbft/libs/log"
)

// cometLogger sends CometBFT's logs to slog. CometBFT's info level is
// chatty (every block, every vote); it is logged at debug, and only errors
// keep their level.
type cometLogger struct{ l *slog.Logger }

var _ cmtlog.Logger = cometLogger{}

func (c cometLogger) Debug(msg string, kv ...any) { c.l.Debug(msg, kv...) }
func (c cometLogger) Info(msg string, kv ...any)  { c.l.Debug(msg, kv...) }
func (c cometLogger) Error(msg string, kv ...any) {
	if shutdownNoise(msg, kv) {
		c.l.Debug(msg, kv...)
		return
	}
	c.l.Error(msg, kv...)
}

// shutdownNoise reports CometBFT's errors that only say a listener closed
// during a clean stop.
func shutdownNoise(msg string, kv []any) bool {
	if msg == "Stopped accept routine, as transport is closed" {
		return true
	}
	for _, v := range kv {
		if err, ok := v.(error); ok && strings.Contains(err.Error(), "use of closed network connection") {
			return true
		}
	}
	return false
}
func (c cometLogger) With(kv ...any) cmtlog.Logger {
	return cometLogger{c.l.With(kv...)}
}

// ParseLevel maps a config level name to slog's.
func ParseLevel(s string) slog.Level {
	var l slog.Level
	if err := l.UnmarshalText([]byte(s)); err != nil {
		return slog.LevelInfo
	}
	return l
}
