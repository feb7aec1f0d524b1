package sensor

import "github.com/depin-network/depin/internal/kind"

func kindParams(v []kind.Param) kind.Params { return kind.Params(v) }
