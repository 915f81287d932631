/* errors.h - error replies clients match on, written once. Texts are
 * Redis 7's, without the leading '-'. */
#ifndef SURGE_SERVER_ERRORS_H
#define SURGE_SERVER_ERRORS_H

#define ERR_SYNTAX "ERR syntax error"
#define ERR_NOT_INT "ERR value is not an integer or out of range"
#define ERR_NOT_FLOAT "ERR value is not a valid float"
#define ERR_WRONGTYPE "WRONGTYPE Operation against a key holding the wrong kind of value"
#define ERR_NO_KEY "ERR no such key"
#define ERR_DB_RANGE "ERR DB index is out of range"
#define ERR_OVERFLOW "ERR increment or decrement would overflow"
#define ERR_NAN_INF "ERR increment would produce NaN or Infinity"
#define ERR_OFFSET_RANGE "ERR offset is out of range"
#define ERR_STRING_TOO_LONG "ERR string exceeds maximum allowed size (proto-max-bulk-len)"
#define ERR_INVALID_CURSOR "ERR invalid cursor"
#define ERR_NOAUTH "NOAUTH Authentication required."
#define ERR_WRONGPASS "WRONGPASS invalid username-password pair or user is disabled."
#define ERR_OOM "OOM command not allowed when used memory > 'maxmemory'."
#define ERR_NOPROTO "NOPROTO unsupported protocol version"
#define ERR_TIMEOUT_NEG "ERR timeout is negative"
#define ERR_TIMEOUT_NOT_FLOAT "ERR timeout is not a float or out of range"
#define ERR_SAME_OBJECT "ERR source and destination objects are the same"
#define ERR_NX_XX_GT_LT "ERR NX and XX, GT or LT options at the same time are not compatible"
/* Redis 8.4's reply to an IFDEQ / IFDNE digest that is not 16 characters long. */
#define ERR_DIGEST_LEN "ERR must be exactly 16 hexadecimal characters"
#define ERR_GT_LT "ERR GT and LT options at the same time are not compatible"
#define ERR_LFU_NOT_SELECTED                                                                  \
    "ERR An LFU maxmemory policy is not selected, access frequency not tracked. Please note " \
    "that when switching between policies at runtime LRU and LFU data will take some time "   \
    "to adjust."

#endif
