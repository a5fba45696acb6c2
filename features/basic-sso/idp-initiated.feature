@basic @idp-initiated
Feature: IdP-initiated SAML sign-in
  Users may start from their IdP's app dashboard when the organisation allows it. It is a SAML
  flow (Google's OIDC is SP-initiated only, like every OIDC sign-in here).

  @req-PROTO-1
  Scenario Outline: Alice starts from Acme's app tile at her IdP (<vendor>, <protocol>)
    Given Acme is a Basic organisation using <vendor> over <protocol>
    And Alice is in Acme's <vendor> directory
    And Alice has a platform account with her work email
    And Alice has signed in to the platform with her password
    And Acme allows IdP-initiated sign-in
    When Alice starts from Acme's app tile at the IdP
    Then Alice is a member of Acme [PROTO-1]

    @okta @saml
    Examples: Okta over SAML
      | vendor | protocol |
      | Okta   | SAML     |

    @entra @saml
    Examples: Entra over SAML
      | vendor | protocol |
      | Entra  | SAML     |

    @google @saml
    Examples: Google over SAML
      | vendor | protocol |
      | Google | SAML     |


  @req-PROTO-1
  Scenario Outline: An organisation that does not allow it refuses IdP-initiated sign-in (<vendor>, <protocol>)
    Given Acme is a Basic organisation using <vendor> over <protocol>
    And Alice is in Acme's <vendor> directory
    And Alice has a platform account with her work email
    And Alice has signed in to the platform with her password
    When Alice starts from Acme's app tile at the IdP
    Then Alice is not a member of Acme [PROTO-1]

    @okta @saml
    Examples: Okta over SAML
      | vendor | protocol |
      | Okta   | SAML     |

    @entra @saml
    Examples: Entra over SAML
      | vendor | protocol |
      | Entra  | SAML     |

    @google @saml
    Examples: Google over SAML
      | vendor | protocol |
      | Google | SAML     |

