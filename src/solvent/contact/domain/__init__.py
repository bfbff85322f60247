"""Pure words and rules of contact (no Django): channels, dispositions, statuses, template checks,
inbound keywords and the validation notice's content."""
