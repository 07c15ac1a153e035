/* version — the release of this build. */
#ifndef DRAFTD_VERSION_H
#define DRAFTD_VERSION_H
#define DRAFTD_VERSION "0.1.0"
#endif
