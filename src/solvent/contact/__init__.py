"""The contact app: contact history, message templates, the outbox and its sender (the only
module that reaches a channel adapter, through the compliance gate), letters and inbound webhooks."""
