// The signed-in customer's profile.
query me verb=GET {
  api_group = "shop"
  auth = "user"

  input {
  }

  stack {
    db.get user {
      field_name = "id"
      field_value = $auth.id
    } as $me
  }

  response = $me
}
