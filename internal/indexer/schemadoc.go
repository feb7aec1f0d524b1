package indexer

import (
	"fmt"
	"regexp"
	"strings"
)

var spaces = regexp.MustCompile(`\s+`)

// SchemaMarkdown renders the migrations as docs/explorer.md shows them, so
// that the documented schema is the code's.
func SchemaMarkdown() string {
	var b strings.Builder
	for _, m := range migrations {
		fmt.Fprintf(&b, "Version %d, %s:\n\n```sql\n", m.version, m.name)
		for _, s := range m.stmts {
			s = spaces.ReplaceAllString(s, " ")
			s = strings.ReplaceAll(s, "( ", "(")
			s = strings.ReplaceAll(s, " )", ")")
			fmt.Fprintf(&b, "%s;\n", s)
		}
		b.WriteString("```\n\n")
		if m.fill != nil {
			b.WriteString("Migrating to it fills the new tables from the rows already indexed, in the same transaction.\n\n")
		}
	}
	return strings.TrimSuffix(b.String(), "\n")
}
