// libpq for Swift. libpq has no variadic entry points we need; the shim only gathers the
// headers (libpq-fe.h for the client API, and the type OIDs we bind parameters with).
#ifndef ACCORD_CLIBPQ_SHIM_H
#define ACCORD_CLIBPQ_SHIM_H
#include <libpq-fe.h>
#endif
