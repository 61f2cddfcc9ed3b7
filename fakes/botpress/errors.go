package botpress

import (
	"errors"
	"fmt"
	"math"
	"net/http"
	"strconv"

	"github.com/chatsim/chatsim/fakes"
)

// Sentinel errors for expected conditions.
var (
	// ErrInvalidConfiguration is wrapped by Register when the install's
	// configuration breaks the definition's configuration schema.
	ErrInvalidConfiguration = errors.New("invalid integration configuration")
	// ErrNoIntegration is returned by the invoker before SetIntegrationURL
	// has been called.
	ErrNoIntegration = errors.New("no integration URL set")
	// ErrMalformedResponse is wrapped by an InvocationError whose integration
	// answered 2xx with a body that is not what the protocol requires.
	ErrMalformedResponse = errors.New("malformed integration response")
	// ErrNotFound is returned by Server methods given an unknown id.
	ErrNotFound = errors.New("not found")
	// ErrClosed is returned by Server methods after Close.
	ErrClosed = errors.New("platform closed")
	// ErrInvalidRules is wrapped by ParseBotRules errors.
	ErrInvalidRules = errors.New("invalid bot rules")
)

// errorCode is the code each error type of the Botpress API
// (@botpress/client's errors.ts) carries, 0 for an unknown type. The client rebuilds its error class from the type, so a
// response's status and code always match its type.
func errorCode(typ string) int {
	switch typ {
	case "Unknown", "Internal":
		return 500
	case "Unauthorized":
		return 401
	case "Forbidden", "QuotaExceeded":
		return 403
	case "PayloadTooLarge", "LimitExceeded":
		return 413
	case "InvalidPayload", "InvalidJsonSchema", "InvalidDataFormat", "InvalidIdentifier", "ReferenceNotFound", "InvalidQuery", "Runtime", "BreakingChanges":
		return 400
	case "UnsupportedMediaType":
		return 415
	case "MethodNotFound":
		return 405
	case "ResourceNotFound":
		return 404
	case "RelationConflict", "ReferenceConstraint", "ResourceLockedConflict", "AlreadyExists":
		return 409
	case "ResourceGone":
		return 410
	case "RateLimited":
		return 429
	case "PaymentRequired":
		return 402
	case "OperationTimeout":
		return 504
	}
	return 0
}

// ErrorCode returns the HTTP status and body code of a Botpress API error
// type ("ResourceNotFound" → 404), or 0 for an unknown type.
func ErrorCode(typ string) int { return errorCode(typ) }

// typeForStatus picks the error type an injected fault of that status
// answers with.
func typeForStatus(status int) string {
	switch status {
	case 400:
		return "InvalidPayload"
	case 401:
		return "Unauthorized"
	case 402:
		return "PaymentRequired"
	case 403:
		return "Forbidden"
	case 404:
		return "ResourceNotFound"
	case 405:
		return "MethodNotFound"
	case 409:
		return "ResourceLockedConflict"
	case 410:
		return "ResourceGone"
	case 413:
		return "PayloadTooLarge"
	case 415:
		return "UnsupportedMediaType"
	case 429:
		return "RateLimited"
	case 504:
		return "OperationTimeout"
	case 500:
		return "Internal"
	}
	if status >= 500 {
		return "Unknown"
	}
	return "InvalidPayload"
}

// description is the default message of an error type, "" when it has none.
func description(typ string) string {
	switch typ {
	case "Unknown":
		return "An unknown error occurred"
	case "Internal":
		return "An internal error occurred"
	case "Unauthorized":
		return "The request requires to be authenticated."
	case "Forbidden":
		return "The requested action can't be peform by this resource."
	case "PayloadTooLarge":
		return "The request payload is too large."
	case "InvalidPayload":
		return "The request payload is invalid."
	case "UnsupportedMediaType":
		return "The request is invalid because the content-type is not supported."
	case "MethodNotFound":
		return "The requested method does not exist."
	case "ResourceNotFound":
		return "The requested resource does not exist."
	case "ResourceLockedConflict":
		return "The resource is current locked and cannot be operated on until the lock is released."
	case "ResourceGone":
		return "The requested resource is no longer available."
	case "RateLimited":
		return "The request has been rate limited."
	case "PaymentRequired":
		return "A payment is required to perform this request."
	case "OperationTimeout":
		return "The operation timed out."
	}
	return ""
}

// apiError is an error answer of the Runtime API.
type apiError struct {
	Status     int // HTTP status; 0 means the type's code
	Type       string
	Message    string
	RetryAfter float64 // seconds, for RateLimited
}

// Error renders the error as "Type: message".
func (e *apiError) Error() string { return e.Type + ": " + e.Message }

func newAPIError(typ, format string, args ...any) *apiError {
	return &apiError{Type: typ, Message: fmt.Sprintf(format, args...)}
}

func invalidPayload(format string, args ...any) *apiError {
	return newAPIError("InvalidPayload", format, args...)
}

func notFound(format string, args ...any) *apiError {
	return newAPIError("ResourceNotFound", format, args...)
}

// apiErrorBody is the JSON of an API error, exactly {id, code, type, message}.
type apiErrorBody struct {
	ID      string `json:"id"`
	Code    int    `json:"code"`
	Type    string `json:"type"`
	Message string `json:"message"`
}

// writeAPIError answers with e as the Botpress API does.
func (s *Server) writeAPIError(w http.ResponseWriter, e *apiError) {
	status := e.Status
	if status == 0 {
		status = errorCode(e.Type)
	}
	if status == 0 {
		status = http.StatusInternalServerError
	}
	if e.Type == "RateLimited" {
		w.Header().Set("Retry-After", strconv.Itoa(int(math.Ceil(e.RetryAfter))))
	}
	fakes.WriteJSON(w, status, apiErrorBody{ID: errorID(s.clock.Now()), Code: status, Type: e.Type, Message: e.Message})
}

// InvocationError is a call from the platform to the integration that did
// not succeed: the integration answered non-2xx (Status and, when its body
// was an API error, Type and Message), answered 2xx with a body the protocol
// does not allow (Err wraps ErrMalformedResponse), or could not be reached
// (Status 0, Err holds the transport error).
type InvocationError struct {
	Operation string // x-bp-operation: "message_created", "action_triggered", …
	Status    int    // HTTP status of the answer; 0 when there was none
	Type      string // the error type of an API error body ("Runtime")
	Message   string // what went wrong
	Body      string // the raw answer body, for diagnosis
	Err       error  // the cause, when there is one
}

// Error says which operation failed and how.
func (e *InvocationError) Error() string {
	switch {
	case e.Status == 0:
		return fmt.Sprintf("invoke %s: %s", e.Operation, e.Message)
	case e.Type != "":
		return fmt.Sprintf("invoke %s: integration answered %d %s: %s", e.Operation, e.Status, e.Type, e.Message)
	default:
		return fmt.Sprintf("invoke %s: integration answered %d: %s", e.Operation, e.Status, e.Message)
	}
}

// Unwrap returns the cause.
func (e *InvocationError) Unwrap() error { return e.Err }
