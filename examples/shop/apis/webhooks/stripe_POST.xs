// Payment events from Stripe.
query "webhooks/stripe" verb=POST {
  api_group = "webhooks"

  input {
  }

  stack {
    util.get_raw_input {
      encoding = "json"
    } as $event

    api.request {
      url = "https://api.stripe.com/v1/events/" ~ $event.id
      method = "GET"
      headers = []|push:"Authorization: Bearer sk_live_51HxQ2mKp9Vb3Zr7TqYw0aBcDeFgHiJkLmNoP"
    } as $verified

    db.add audit_log {
      data = {action: "stripe", payload: $event}
    } as $log
  }

  response = null
}
