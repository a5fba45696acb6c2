@security @saml
Feature: SAML security: XML signature wrapping
  The eight wrapping variants of "On Breaking SAML" and two assertions: a correct SP refuses, or acts
  only on the signed assertion's content.

  @req-SAML-XSW-1
  Scenario Outline: XSW1 is refused (<vendor>)
    Given Acme is a Managed organisation using <vendor> over SAML
    And Alice is in Acme's <vendor> directory
    And Acme's IdP will send the next response with XSW1
    When Alice signs in to Acme through SSO
    Then the sign-in to Acme is refused [SAML-XSW-1]

    @okta @saml
    Examples: Okta over SAML
      | vendor |
      | Okta |

    @entra @saml
    Examples: Entra over SAML
      | vendor |
      | Entra |

    @google @saml
    Examples: Google over SAML
      | vendor |
      | Google |

  @req-SAML-XSW-2
  Scenario Outline: XSW2 is refused (<vendor>)
    Given Acme is a Managed organisation using <vendor> over SAML
    And Alice is in Acme's <vendor> directory
    And Acme's IdP will send the next response with XSW2
    When Alice signs in to Acme through SSO
    Then the sign-in to Acme is refused [SAML-XSW-2]

    @okta @saml
    Examples: Okta over SAML
      | vendor |
      | Okta |

    @entra @saml
    Examples: Entra over SAML
      | vendor |
      | Entra |

    @google @saml
    Examples: Google over SAML
      | vendor |
      | Google |

  @req-SAML-XSW-3
  Scenario Outline: XSW3 is refused (<vendor>)
    Given Acme is a Managed organisation using <vendor> over SAML
    And Alice is in Acme's <vendor> directory
    And Acme's IdP will send the next response with XSW3
    When Alice signs in to Acme through SSO
    Then the sign-in to Acme is refused [SAML-XSW-3]

    @okta @saml
    Examples: Okta over SAML
      | vendor |
      | Okta |

    @entra @saml
    Examples: Entra over SAML
      | vendor |
      | Entra |

    @google @saml
    Examples: Google over SAML
      | vendor |
      | Google |

  @req-SAML-XSW-4
  Scenario Outline: XSW4 is refused (<vendor>)
    Given Acme is a Managed organisation using <vendor> over SAML
    And Alice is in Acme's <vendor> directory
    And Acme's IdP will send the next response with XSW4
    When Alice signs in to Acme through SSO
    Then the sign-in to Acme is refused [SAML-XSW-4]

    @okta @saml
    Examples: Okta over SAML
      | vendor |
      | Okta |

    @entra @saml
    Examples: Entra over SAML
      | vendor |
      | Entra |

    @google @saml
    Examples: Google over SAML
      | vendor |
      | Google |

  @req-SAML-XSW-5
  Scenario Outline: XSW5 is refused (<vendor>)
    Given Acme is a Managed organisation using <vendor> over SAML
    And Alice is in Acme's <vendor> directory
    And Acme's IdP will send the next response with XSW5
    When Alice signs in to Acme through SSO
    Then the sign-in to Acme is refused [SAML-XSW-5]

    @okta @saml
    Examples: Okta over SAML
      | vendor |
      | Okta |

    @entra @saml
    Examples: Entra over SAML
      | vendor |
      | Entra |

    @google @saml
    Examples: Google over SAML
      | vendor |
      | Google |

  @req-SAML-XSW-6
  Scenario Outline: XSW6 is refused (<vendor>)
    Given Acme is a Managed organisation using <vendor> over SAML
    And Alice is in Acme's <vendor> directory
    And Acme's IdP will send the next response with XSW6
    When Alice signs in to Acme through SSO
    Then the sign-in to Acme is refused [SAML-XSW-6]

    @okta @saml
    Examples: Okta over SAML
      | vendor |
      | Okta |

    @entra @saml
    Examples: Entra over SAML
      | vendor |
      | Entra |

    @google @saml
    Examples: Google over SAML
      | vendor |
      | Google |

  @req-SAML-XSW-7
  Scenario Outline: XSW7 is refused (<vendor>)
    Given Acme is a Managed organisation using <vendor> over SAML
    And Alice is in Acme's <vendor> directory
    And Acme's IdP will send the next response with XSW7
    When Alice signs in to Acme through SSO
    Then the sign-in to Acme is refused [SAML-XSW-7]

    @okta @saml
    Examples: Okta over SAML
      | vendor |
      | Okta |

    @entra @saml
    Examples: Entra over SAML
      | vendor |
      | Entra |

    @google @saml
    Examples: Google over SAML
      | vendor |
      | Google |

  @req-SAML-XSW-8
  Scenario Outline: XSW8 is refused (<vendor>)
    Given Acme is a Managed organisation using <vendor> over SAML
    And Alice is in Acme's <vendor> directory
    And Acme's IdP will send the next response with XSW8
    When Alice signs in to Acme through SSO
    Then the sign-in to Acme is refused [SAML-XSW-8]

    @okta @saml
    Examples: Okta over SAML
      | vendor |
      | Okta |

    @entra @saml
    Examples: Entra over SAML
      | vendor |
      | Entra |

    @google @saml
    Examples: Google over SAML
      | vendor |
      | Google |

  @req-SAML-TWO-1
  Scenario Outline: Two assertions, one of them unsigned, are refused (<vendor>, <alteration>)
    Given Acme is a Managed organisation using <vendor> over SAML
    And Alice is in Acme's <vendor> directory
    And Acme's IdP will send the next response with <alteration>
    When Alice signs in to Acme through SSO
    Then the sign-in to Acme is refused [SAML-TWO-1]

    @okta @saml
    Examples: Okta over SAML
      | vendor | alteration |
      | Okta | two assertions, the signed one first |
      | Okta | two assertions, the signed one second |

    @entra @saml
    Examples: Entra over SAML
      | vendor | alteration |
      | Entra | two assertions, the signed one first |
      | Entra | two assertions, the signed one second |

    @google @saml
    Examples: Google over SAML
      | vendor | alteration |
      | Google | two assertions, the signed one first |
      | Google | two assertions, the signed one second |
