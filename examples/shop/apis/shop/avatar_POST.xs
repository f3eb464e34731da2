// Fetch a profile picture from a URL the customer gives.
query avatar verb=POST {
  api_group = "shop"
  auth = "user"

  input {
    text image_url
  }

  stack {
    api.request {
      url = $input.image_url
      method = "GET"
    } as $image

    storage.create_image {
      value = $image.response.result
      access = "public"
      filename = "avatar.png"
    } as $stored
  }

  response = $stored
}
