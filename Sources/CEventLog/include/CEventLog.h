/* The C contract, carried into Swift. The one source of truth is include/eventlog.h. */
#include "../../../include/eventlog.h"
