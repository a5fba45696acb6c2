Feature: Deprovisioning ends sessions at once
  Removing a member or deactivating a managed account ends their sessions with the organisation
  immediately, not at the next timeout.

  @managed @req-SESS-3
  Scenario Outline: Deactivating a managed account signs it out at once (<vendor>, <protocol>)
    Given Acme is a Managed organisation using <vendor> over <protocol>
    And Acme has a repository "model"
    And Alice is in Acme's <vendor> directory
    And Alice has opened Acme's repository "model"
    When Acme deprovisions Alice
    Then Alice is signed out of the platform [SESS-3]

    @okta @saml
    Examples: Okta over SAML
      | vendor | protocol |
      | Okta   | SAML     |

    @okta @oidc
    Examples: Okta over OIDC
      | vendor | protocol |
      | Okta   | OIDC     |

    @entra @saml
    Examples: Entra over SAML
      | vendor | protocol |
      | Entra  | SAML     |

    @entra @oidc
    Examples: Entra over OIDC
      | vendor | protocol |
      | Entra  | OIDC     |

    @google @saml
    Examples: Google over SAML
      | vendor | protocol |
      | Google | SAML     |

    @google @oidc
    Examples: Google over OIDC
      | vendor | protocol |
      | Google | OIDC     |


  @basic @req-SESS-3
  Scenario Outline: Removing a Basic member ends her SSO session with Acme at once (<vendor>, <protocol>)
    Given Acme is a Basic organisation using <vendor> over <protocol>
    And Acme has a repository "model"
    And Alice is in Acme's <vendor> directory
    And Alice has a platform account with her work email
    And Alice has signed in to the platform with her password
    And Alice has opened Acme's repository "model"
    When Acme deprovisions Alice
    Then Alice must sign in through SSO again to reach Acme's repository "model" [SESS-3]
    And Alice is still signed in to the platform [SESS-3]

    @okta @saml
    Examples: Okta over SAML
      | vendor | protocol |
      | Okta   | SAML     |

    @okta @oidc
    Examples: Okta over OIDC
      | vendor | protocol |
      | Okta   | OIDC     |

    @entra @saml
    Examples: Entra over SAML
      | vendor | protocol |
      | Entra  | SAML     |

    @entra @oidc
    Examples: Entra over OIDC
      | vendor | protocol |
      | Entra  | OIDC     |

    @google @saml
    Examples: Google over SAML
      | vendor | protocol |
      | Google | SAML     |

    @google @oidc
    Examples: Google over OIDC
      | vendor | protocol |
      | Google | OIDC     |


  @basic @req-SESS-4
  Scenario Outline: Deprovisioning sends no logout request to the IdP (<vendor>, <protocol>)
    Given Acme is a Basic organisation using <vendor> over <protocol>
    And Acme has a repository "model"
    And Alice is in Acme's <vendor> directory
    And Alice has a platform account with her work email
    And Alice has signed in to the platform with her password
    And Alice has opened Acme's repository "model"
    When Acme deprovisions Alice
    Then the SP sent no logout request to Acme's IdP [SESS-4]

    @okta @saml
    Examples: Okta over SAML
      | vendor | protocol |
      | Okta   | SAML     |

    @okta @oidc
    Examples: Okta over OIDC
      | vendor | protocol |
      | Okta   | OIDC     |

    @entra @saml
    Examples: Entra over SAML
      | vendor | protocol |
      | Entra  | SAML     |

    @entra @oidc
    Examples: Entra over OIDC
      | vendor | protocol |
      | Entra  | OIDC     |

    @google @saml
    Examples: Google over SAML
      | vendor | protocol |
      | Google | SAML     |

    @google @oidc
    Examples: Google over OIDC
      | vendor | protocol |
      | Google | OIDC     |

