"""Service level agreements: business-time calendars and the Japanese national holidays they close on."""
