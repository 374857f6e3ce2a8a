from django import template

from sotong.core import masking

register = template.Library()

register.filter("mask_name", masking.mask_name)
register.filter("mask_phone", masking.mask_phone)
register.filter("mask_email", masking.mask_email)
register.filter("mask_address", masking.mask_address)
register.filter("format_phone", masking.format_phone)
