package ledger

import "fmt"

// Code is the stable numeric result of a transaction or message. Codes are
// appended, never renumbered: clients and explorers branch on them.
type Code uint32

// Result codes. Append new codes at the end of the block.
const (
	CodeOK                   Code = 0
	CodeMalformed            Code = 1  // bytes do not decode, or a field is missing or malformed
	CodeBadSignature         Code = 2  // a signature does not verify
	CodeWrongChainID         Code = 3  // the body names another chain
	CodeSequenceUsed         Code = 4  // the sequence is below the account's (replay)
	CodeSequenceSkipped      Code = 5  // the sequence is above the account's
	CodeInsufficientFunds    Code = 6  // a balance cannot cover an amount
	CodeFeeTooLow            Code = 7  // the fee is below the minimum in params
	CodeOverflow             Code = 8  // an amount overflows
	CodeUnknownMessage       Code = 9  // no handler for the message type
	CodeUnauthorized         Code = 10 // the signer may not do this
	CodeUnknownParam         Code = 11 // no parameter of that name
	CodeParamOutOfBounds     Code = 12 // a parameter value outside its bounds
	CodeUnknownMaker         Code = 13 // no maker with that id
	CodeMakerExists          Code = 14 // a maker with that key or name is registered
	CodeKindNotCertified     Code = 15 // the maker may not certify that kind
	CodeDeviceExists         Code = 16 // the device key is onboarded already
	CodeSerialUsed           Code = 17 // the maker's serial is onboarded already
	CodeUnknownDevice        Code = 18 // no device with that id
	CodeDeviceDecommissioned Code = 19 // the device is decommissioned
	CodeInvalidCell          Code = 20 // not a valid H3 cell, or a resolution outside params
	CodeTooLarge             Code = 21 // the tx or a list in it exceeds its limit
	CodeInvalidAmount        Code = 22 // a zero or otherwise unusable amount
	CodeInvalidAddress       Code = 23 // an address is malformed
	CodeParamsInconsistent   Code = 24 // parameters within bounds break a module's cross-field check
	CodeCheckFailed          Code = 25 // the node failed while checking the transaction (not the transaction's fault; see the node's log)
)

var codeNames = map[Code]string{
	CodeOK:                   "ok",
	CodeMalformed:            "malformed",
	CodeBadSignature:         "bad_signature",
	CodeWrongChainID:         "wrong_chain_id",
	CodeSequenceUsed:         "sequence_used",
	CodeSequenceSkipped:      "sequence_skipped",
	CodeInsufficientFunds:    "insufficient_funds",
	CodeFeeTooLow:            "fee_too_low",
	CodeOverflow:             "overflow",
	CodeUnknownMessage:       "unknown_message",
	CodeUnauthorized:         "unauthorized",
	CodeUnknownParam:         "unknown_param",
	CodeParamOutOfBounds:     "param_out_of_bounds",
	CodeUnknownMaker:         "unknown_maker",
	CodeMakerExists:          "maker_exists",
	CodeKindNotCertified:     "kind_not_certified",
	CodeDeviceExists:         "device_exists",
	CodeSerialUsed:           "serial_used",
	CodeUnknownDevice:        "unknown_device",
	CodeDeviceDecommissioned: "device_decommissioned",
	CodeInvalidCell:          "invalid_cell",
	CodeTooLarge:             "too_large",
	CodeInvalidAmount:        "invalid_amount",
	CodeInvalidAddress:       "invalid_address",
	CodeParamsInconsistent:   "params_inconsistent",
	CodeCheckFailed:          "check_failed",
}

// RegisterCode names a code defined outside this file (by a later module).
// It panics if the code or the name is taken: that is a programming error.
func RegisterCode(c Code, name string) {
	if _, ok := codeNames[c]; ok {
		panic(fmt.Sprintf("ledger: code %d registered twice", c))
	}
	//archtest:maprange-ok a uniqueness check at init: no state, hash or event
	for _, n := range codeNames {
		if n == name {
			panic(fmt.Sprintf("ledger: code name %q registered twice", name))
		}
	}
	codeNames[c] = name
}

// String returns the code's stable name.
func (c Code) String() string {
	if n, ok := codeNames[c]; ok {
		return n
	}
	return fmt.Sprintf("code_%d", uint32(c))
}

// Error is the rejection of a transaction or message: a stable code and a
// message for people. It is a value, never a panic.
type Error struct {
	Code Code
	Msg  string
}

// Errorf builds an Error with a formatted message.
func Errorf(c Code, format string, args ...any) *Error {
	return &Error{Code: c, Msg: fmt.Sprintf(format, args...)}
}

func (e *Error) Error() string { return e.Code.String() + ": " + e.Msg }
