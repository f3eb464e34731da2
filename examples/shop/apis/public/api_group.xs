// Endpoints the storefront calls before sign-in.
api_group public {
  canonical = "public-v1"
  cors = {
    mode   : "custom"
    origins: ["*"]
    methods: ["GET", "POST"]
  }
}
