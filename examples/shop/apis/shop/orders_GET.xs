// The signed-in customer's orders, newest first.
query orders verb=GET {
  api_group = "shop"
  auth = "user"

  input {
    int page?=1 filters=min:1
  }

  stack {
    db.query order {
      where = $db.order.user_id == $auth.id
      sort = {order.created_at: "desc"}
      return = {type: "list", paging: {page: $input.page, per_page: 25}}
    } as $orders
  }

  response = $orders
}
