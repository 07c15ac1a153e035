/*
 * prospect — see prospect.h.
 */
#include "prospect.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

const char *const prospect_field_names[PF__COUNT] = {
    [PF_EMAIL] = "email",     [PF_FIRST_NAME] = "first_name", [PF_LAST_NAME] = "last_name",
    [PF_COMPANY] = "company", [PF_TITLE] = "title",           [PF_WEBSITE] = "website",
};

int prospect_field_lookup(const char *name)
{
    for (int i = 0; i < PF__COUNT; i++)
        if (strcmp(prospect_field_names[i], name) == 0) return i;
    return -1;
}

/* Lowercase, without ' ', '_', '-' (and a UTF-8 byte order mark at the start). */
static void header_key(const char *in, char *out, size_t len)
{
    size_t n = 0;
    if ((unsigned char)in[0] == 0xEF && (unsigned char)in[1] == 0xBB && (unsigned char)in[2] == 0xBF)
        in += 3;
    for (; *in && n + 1 < len; in++) {
        if (*in == ' ' || *in == '_' || *in == '-' || *in == '\t') continue;
        out[n++] = (char)tolower((unsigned char)*in);
    }
    out[n] = '\0';
}

int prospect_field_from_header(const char *header)
{
    char key[64], want[64];
    if (strlen(header) >= sizeof key) return -1;
    header_key(header, key, sizeof key);
    for (int i = 0; i < PF__COUNT; i++) {
        header_key(prospect_field_names[i], want, sizeof want);
        if (strcmp(key, want) == 0) return i;
    }
    return -1;
}

static bool fail(char *why, size_t len, const char *reason)
{
    if (why && len) snprintf(why, len, "%s", reason);
    return false;
}

static bool label_char(char c)
{
    return isalnum((unsigned char)c) || c == '-' || (unsigned char)c >= 0x80;
}

bool prospect_email_valid(const char *s, char *why, size_t len)
{
    if (!s || !*s) return fail(why, len, "is empty");
    size_t n = strlen(s);
    if (n > PROSPECT_EMAIL_MAX) return fail(why, len, "is longer than 254 characters");
    const char *at = strchr(s, '@');
    if (!at) return fail(why, len, "has no @");
    if (strchr(at + 1, '@')) return fail(why, len, "has more than one @");
    if (at == s) return fail(why, len, "has nothing before the @");
    for (const char *p = s; p < at; p++)
        if ((unsigned char)*p <= ' ' || *p == 0x7f || *p == '"' || *p == ',' || *p == '<' ||
            *p == '>')
            return fail(why, len, "has a space or a character not allowed before the @");
    if (s[0] == '.' || at[-1] == '.') return fail(why, len, "has a misplaced dot before the @");
    for (const char *p = s; p + 1 < at; p++) /* ".." after the @ is an empty domain part */
        if (p[0] == '.' && p[1] == '.') return fail(why, len, "has a misplaced dot before the @");
    const char *d = at + 1;
    if (!*d) return fail(why, len, "has nothing after the @");
    if (!strchr(d, '.')) return fail(why, len, "has a domain without a dot");
    const char *label = d;
    for (const char *p = d;; p++) {
        if (*p == '.' || *p == '\0') {
            if (p == label) return fail(why, len, "has an empty part in the domain");
            if (label[0] == '-' || p[-1] == '-')
                return fail(why, len, "has a domain part that starts or ends with -");
            if (!*p) break;
            label = p + 1;
        } else if (!label_char(*p)) {
            return fail(why, len, "has a character not allowed in the domain");
        }
    }
    return true;
}
