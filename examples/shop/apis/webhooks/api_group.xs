api_group webhooks {
  canonical = "hooks-v1"
  swagger = {active: false}
  cors = {
    mode   : "custom"
    origins: ["https://shop.example.com"]
    methods: ["POST"]
  }
}
