"""Month names as written in Morocco (يناير، ماي، يوليوز، غشت، شتنبر...).

Django's Arabic catalogue uses Mashriqi forms for some months; listing the English names here
puts them in our own catalogue, which takes precedence, so dates read the Moroccan way.
"""

from django.utils.translation import gettext_noop

MONTHS = [
    gettext_noop("January"), gettext_noop("February"), gettext_noop("March"), gettext_noop("April"),
    gettext_noop("May"), gettext_noop("June"), gettext_noop("July"), gettext_noop("August"),
    gettext_noop("September"), gettext_noop("October"), gettext_noop("November"), gettext_noop("December"),
]
