// One order, with its lines.
query "orders/{order_id}" verb=GET {
  api_group = "shop"
  auth = "user"

  input {
    int order_id filters=min:1
  }

  stack {
    function.run "orders/load" {
      input = {order_id: $input.order_id}
    } as $order
  }

  response = $order
}
