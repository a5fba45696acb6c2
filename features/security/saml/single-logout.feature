@security @saml
Feature: SAML security: Single Logout
  Single Logout ends a SAML session on both sides. The SP signs its LogoutRequest; the IdP ends
  its own session and answers with a signed LogoutResponse. An IdP-initiated LogoutRequest ends
  the SP sessions it names, but only when it is signed by the IdP and names a session the SP
  has; a LogoutResponse must answer a request the SP sent. Google Workspace custom SAML apps have
  no Single Logout, so these scenarios run for Okta and Entra.

  @req-SAML-SLO-1
  Scenario Outline: SP-initiated logout ends the session at the SP and at the IdP (<vendor>)
    Given Acme is a Managed organisation using <vendor> over SAML
    And Alice is in Acme's <vendor> directory
    And Acme's SAML app has Single Logout enabled
    And Alice has signed in to Acme through SSO
    When Alice signs out of Acme through Single Logout
    Then Alice is signed out of Acme and of its IdP [SAML-SLO-1]

    @okta @saml
    Examples: Okta over SAML
      | vendor |
      | Okta |

    @entra @saml
    Examples: Entra over SAML
      | vendor |
      | Entra |

  @req-SAML-SLO-2
  Scenario Outline: IdP-initiated logout ends the SP session (<vendor>)
    Given Acme is a Managed organisation using <vendor> over SAML
    And Alice is in Acme's <vendor> directory
    And Acme's SAML app has Single Logout enabled
    And Alice has signed in to Acme through SSO
    When Acme's IdP logs Alice out
    Then Alice is signed out of Acme, which confirmed it to its IdP [SAML-SLO-2]

    @okta @saml
    Examples: Okta over SAML
      | vendor |
      | Okta |

    @entra @saml
    Examples: Entra over SAML
      | vendor |
      | Entra |

  @req-SAML-SLO-3
  Scenario Outline: An unsigned LogoutRequest is refused and ends nothing (<vendor>)
    Given Acme is a Managed organisation using <vendor> over SAML
    And Alice is in Acme's <vendor> directory
    And Acme's SAML app has Single Logout enabled
    And Alice has signed in to Acme through SSO
    When Acme's IdP logs Alice out with an unsigned request
    Then the logout message is refused and Alice is still signed in [SAML-SLO-3]

    @okta @saml
    Examples: Okta over SAML
      | vendor |
      | Okta |

    @entra @saml
    Examples: Entra over SAML
      | vendor |
      | Entra |

  @req-SAML-SLO-4
  Scenario Outline: A LogoutRequest signed by another key is refused and ends nothing (<vendor>)
    Given Acme is a Managed organisation using <vendor> over SAML
    And Alice is in Acme's <vendor> directory
    And Acme's SAML app has Single Logout enabled
    And Alice has signed in to Acme through SSO
    When Acme's IdP logs Alice out with a request signed by another key
    Then the logout message is refused and Alice is still signed in [SAML-SLO-4]

    @okta @saml
    Examples: Okta over SAML
      | vendor |
      | Okta |

    @entra @saml
    Examples: Entra over SAML
      | vendor |
      | Entra |

  @req-SAML-SLO-5
  Scenario Outline: A LogoutRequest for a session the SP does not have gets a clear answer and ends nothing (<vendor>)
    Given Acme is a Managed organisation using <vendor> over SAML
    And Alice is in Acme's <vendor> directory
    And Acme's SAML app has Single Logout enabled
    And Alice has signed in to Acme through SSO
    When Acme's IdP logs Alice out with a session it never had
    Then Acme answers its IdP that it knows no such session and Alice is still signed in [SAML-SLO-5]

    @okta @saml
    Examples: Okta over SAML
      | vendor |
      | Okta |

    @entra @saml
    Examples: Entra over SAML
      | vendor |
      | Entra |

  @req-SAML-SLO-6
  Scenario Outline: A LogoutResponse that answers no request the SP sent is refused (<vendor>)
    Given Acme is a Managed organisation using <vendor> over SAML
    And Alice is in Acme's <vendor> directory
    And Acme's SAML app has Single Logout enabled
    And Alice has signed in to Acme through SSO
    When a logout response that answers nothing Acme sent reaches it through Alice's browser
    Then the logout message is refused and Alice is still signed in [SAML-SLO-6]

    @okta @saml
    Examples: Okta over SAML
      | vendor |
      | Okta |

    @entra @saml
    Examples: Entra over SAML
      | vendor |
      | Entra |
