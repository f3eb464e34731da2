// Sign in with e-mail and password; returns a token.
query "auth/login" verb=POST {
  api_group = "auth"

  input {
    email email filters=trim|lower
    text password
  }

  stack {
    db.get user {
      field_name = "email"
      field_value = $input.email
    } as $user

    precondition ($user != null) {
      error_type = "accessdenied"
      error = "Invalid credentials"
    }

    security.check_password {
      text_password = $input.password
      hash_password = $user.password
    } as $ok

    precondition ($ok) {
      error_type = "accessdenied"
      error = "Invalid credentials"
    }

    security.create_auth_token {
      table = "user"
      id = $user.id
      extras = {role: $user.role}
    } as $token
  }

  response = {authToken: $token}
}
