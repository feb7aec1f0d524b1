package storage

import (
	"encoding/base32"
	"errors"
	"fmt"
	"strings"
)

// cidPrefix starts a content id's text form.
const cidPrefix = "dst1"

var cidEncoding = base32.StdEncoding.WithPadding(base32.NoPadding)

// ErrBadCID says a text is not a content id.
var ErrBadCID = errors.New("not a content id")

// FormatCID renders a content id (the SHA-256 of a file's manifest,
// internal/storage/content) as "dst1" and lower-case base32.
func FormatCID(c [32]byte) string {
	return cidPrefix + strings.ToLower(cidEncoding.EncodeToString(c[:]))
}

// ParseCID reads FormatCID's form; nothing else parses.
func ParseCID(s string) ([32]byte, error) {
	var c [32]byte
	body, ok := strings.CutPrefix(s, cidPrefix)
	if !ok {
		return c, fmt.Errorf("cid %q: want the prefix %s: %w", s, cidPrefix, ErrBadCID)
	}
	raw, err := cidEncoding.DecodeString(strings.ToUpper(body))
	if err != nil || len(raw) != len(c) || strings.ToLower(body) != body {
		return c, fmt.Errorf("cid %q: not 32 bytes of lower-case base32: %w", s, ErrBadCID)
	}
	copy(c[:], raw)
	return c, nil
}
