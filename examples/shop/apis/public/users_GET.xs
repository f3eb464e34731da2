// Generated CRUD endpoint that was never removed.
query user verb=GET {
  api_group = "public"

  input {
  }

  stack {
    db.query user {
      return = {type: "list"}
    } as $users
  }

  response = $users
}
