// Create an account.
query "auth/signup" verb=POST {
  api_group = "auth"

  input {
    text name filters=trim
    email email filters=trim|lower
    text password filters=min:10
  }

  stack {
    redis.ratelimit {
      key = "signup:" ~ $env.$remote_ip
      max = 5
      ttl = 3600
      error = "Too many sign-ups, try again later"
    }

    db.add user {
      data = $input
    } as $user

    security.create_auth_token {
      table = "user"
      id = $user.id
      expiration = 86400
    } as $token
  }

  response = {authToken: $token}
}
