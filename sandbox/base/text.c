/* Texts joined without a format (text.h). */
#include "base/text.h"

#include <string.h>

size_t lp_text_join(char *buf, size_t size, size_t at, const char *text)
{
        if (size == 0)
                return 0;
        if (at > size - 1)
                at = size - 1;
        size_t n = strnlen(text, size - 1 - at);
        memmove(buf + at, text, n);
        buf[at + n] = '\0';
        return at + n;
}

size_t lp_text_join_int(char *buf, size_t size, size_t at, long long value)
{
        char digits[24];
        char *p = digits + sizeof(digits) - 1;
        *p = '\0';
        /* Through the unsigned magnitude: -LLONG_MIN does not fit. */
        unsigned long long magnitude =
                value < 0 ? 0ULL - (unsigned long long)value : (unsigned long long)value;
        do
                *--p = (char)('0' + magnitude % 10);
        while ((magnitude /= 10) != 0);
        if (value < 0)
                *--p = '-';
        return lp_text_join(buf, size, at, p);
}
