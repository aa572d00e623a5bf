/* SwiftPM needs one source file in a C target; the module exists to import include/eventlog.h. */
#include "CEventLog.h"
