"""Payment gateway adapters behind ``solvent.payments.ports.PaymentGateway``: ``fake`` (the demo's
own checkout page, no real money) and ``stripe`` (Stripe Checkout through the official library)."""
